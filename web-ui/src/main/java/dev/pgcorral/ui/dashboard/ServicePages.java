package dev.pgcorral.ui.dashboard;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.core.io.ResourceLoader;
import org.springframework.stereotype.Component;

import dev.pgcorral.ui.UiProperties;

/** At start: every configured service's type has its page, or web-ui says which setting is wrong. */
@Component
class ServicePages implements InitializingBean {

    private final UiProperties properties;
    private final ResourceLoader resources;

    ServicePages(UiProperties properties, ResourceLoader resources) {
        this.properties = properties;
        this.resources = resources;
    }

    @Override
    public void afterPropertiesSet() {
        for (int i = 0; i < properties.services().size(); i++) {
            UiProperties.Service service = properties.services().get(i);
            String page = "classpath:templates/services/" + service.type() + ".html";
            if (!resources.getResource(page).exists()) {
                throw new IllegalStateException("pgcorral.ui.services[" + i + "].type: there is no page for type '"
                        + service.type() + "' (" + page + ")");
            }
        }
    }
}
