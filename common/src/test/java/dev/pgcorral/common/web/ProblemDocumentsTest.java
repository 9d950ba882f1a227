package dev.pgcorral.common.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import jakarta.servlet.RequestDispatcher;

import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.mock.web.MockHttpServletRequest;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The texts of problem documents written outside Spring MVC's handlers, and of rejected fields. */
class ProblemDocumentsTest {

    @Test
    void aRejectedFieldSaysWhatIsAllowedAndWhatWasSentButDoesNotEchoLongValues() {
        assertThat(new InvalidField("ttlSeconds", "must be between 1 and 86400", 0).sentence())
                .isEqualTo("ttlSeconds must be between 1 and 86400 (was 0)");
        assertThat(new InvalidField("marker", "must be given and not blank", null).sentence())
                .isEqualTo("marker must be given and not blank");
        InvalidField longOne = new InvalidField("marker", "must be at most 1000 characters long", "m".repeat(1001));
        assertThat(longOne.sentence()).isEqualTo("marker must be at most 1000 characters long (was 1001 characters long)");
        assertThat(longOne.toMap()).containsOnlyKeys("field", "message");
        assertThat(new InvalidField("index", "must be a whole number", "abc").toMap()).containsEntry("rejected", "abc");
        assertThat(InvalidField.detail(List.of(new InvalidField("a", "must be x", 1), new InvalidField("b", "must be y", 2))))
                .isEqualTo("a must be x (was 1); b must be y (was 2)");
    }

    @Test
    void theContainersErrorPageIsAProblemAndA5xxKeepsItsCauseToTheLog() {
        ProblemErrorController controller = new ProblemErrorController();
        MockHttpServletRequest failed = errorDispatch(500, "/api/v1/status");
        failed.setAttribute(RequestDispatcher.ERROR_EXCEPTION, new IllegalStateException("password=hunter2 in a message"));
        failed.setAttribute(RequestDispatcher.ERROR_MESSAGE, "password=hunter2 in a message");
        ResponseEntity<ProblemDetail> internal = controller.error(failed);
        assertThat(internal.getStatusCode().value()).isEqualTo(500);
        assertThat(internal.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
        assertThat(internal.getBody().getDetail()).contains("log").doesNotContain("hunter2");
        assertThat(internal.getBody().getInstance()).hasToString("/api/v1/status");

        MockHttpServletRequest refused = errorDispatch(413, "/api/v1/leases");
        refused.setAttribute(RequestDispatcher.ERROR_MESSAGE, "body too large");
        assertThat(controller.error(refused).getBody().getDetail()).isEqualTo("body too large");

        ResponseEntity<ProblemDetail> direct = controller.error(new MockHttpServletRequest("GET", "/error"));
        assertThat(direct.getStatusCode().value()).as("/error asked for directly").isEqualTo(404);
    }

    @Test
    void tomcatsOwnRefusalsGetADetailWithoutTheRequestsText() {
        assertThat(ProblemReportValve.detail(400, "Invalid URI: [The hexadecimal encoding is invalid]", null))
                .startsWith("the request path is not valid");
        assertThat(ProblemReportValve.detail(400, null, new IllegalArgumentException("Request header is too large")))
                .contains("too large");
        assertThat(ProblemReportValve.detail(400, null, new IllegalArgumentException(
                "Invalid character found in the request target [/x?password=hunter2{] ")))
                .doesNotContain("hunter2").contains("%-encoded");
        assertThat(ProblemReportValve.detail(400, null, null)).contains("could not be read");
        assertThat(ProblemReportValve.detail(505, null, null)).contains("HTTP/1.1");
        assertThat(ProblemReportValve.detail(503, "anything", null)).contains("log");

        JsonNode json = JsonMapper.builder().build().readTree(ProblemJson.render(400, "say \"why\"", "/a\\b"));
        assertThat(json.get("title").asString()).isEqualTo("Bad Request");
        assertThat(json.get("status").asInt()).isEqualTo(400);
        assertThat(json.get("detail").asString()).isEqualTo("say \"why\"");
        assertThat(json.get("instance").asString()).isEqualTo("/a\\b");
    }

    private static MockHttpServletRequest errorDispatch(int status, String path) {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/error");
        request.setAttribute(RequestDispatcher.ERROR_STATUS_CODE, status);
        request.setAttribute(RequestDispatcher.ERROR_REQUEST_URI, path);
        return request;
    }
}
