package dev.pgcorral.ui.dashboard;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;

import dev.pgcorral.common.web.ApiException;
import dev.pgcorral.ui.UiProperties;
import dev.pgcorral.ui.relay.ServiceRelay;

/** Pages: the overview of every service, and one page per service, chosen by its type. */
@Controller
public class DashboardController {

    private final UiProperties properties;
    private final ServiceRelay relay;

    public DashboardController(UiProperties properties, ServiceRelay relay) {
        this.properties = properties;
        this.relay = relay;
    }

    @GetMapping("/")
    public String index(Model model) {
        model.addAttribute("services", relay.views());
        return "index";
    }

    @GetMapping("/services/{name}")
    public String service(@PathVariable String name, Model model) {
        UiProperties.Service service = properties.service(name);
        if (service == null) {
            throw ApiException.notFound("no service named '" + name + "' is configured");
        }
        model.addAttribute("service", service.name());
        model.addAttribute("services", relay.views());
        return "services/" + service.type();
    }
}
