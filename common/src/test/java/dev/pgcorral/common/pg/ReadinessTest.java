package dev.pgcorral.common.pg;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class ReadinessTest {

    /**
     * A port whose listener takes connections (the kernel completes them) and never answers, as a container's port proxy
     * can before the container's network works: the wait still ends at its timeout. The guard only stops a hang.
     */
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aListenerThatNeverAnswersEndsTheWaitAtItsTimeout() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            ConnectionDetails details = new ConnectionDetails("127.0.0.1", silent.getLocalPort(), "postgres", "postgres", "secret");
            assertThatThrownBy(() -> Readiness.await(details, () -> true, Duration.ofSeconds(2)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("did not accept connections within 2 s");
        }
    }
}
