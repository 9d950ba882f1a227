package dev.pgcorral.common.logical;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import dev.pgcorral.common.pg.Lsn;

class LsnTest {

    @Test
    void parsesAndFormatsPostgresTextForm() {
        assertThat(Lsn.parse("16/B374D848").value()).isEqualTo(0x16_B374D848L);
        assertThat(Lsn.parse("16/b374d848")).hasToString("16/B374D848");
        assertThat(Lsn.parse("0/0")).isEqualTo(Lsn.INVALID);
        assertThat(Lsn.INVALID.isValid()).isFalse();
        assertThat(Lsn.parse("FFFFFFFF/FFFFFFFF")).hasToString("FFFFFFFF/FFFFFFFF");
        assertThat(new Lsn(0x1_0000000AL)).hasToString("1/A");
    }

    @Test
    void comparesAsUnsignedAndMeasuresDistance() {
        Lsn low = Lsn.parse("0/10");
        Lsn high = Lsn.parse("FFFFFFFF/0");
        assertThat(high).isGreaterThan(low);
        assertThat(high.isAfter(low)).isTrue();
        assertThat(low.isBefore(high)).isTrue();
        assertThat(Lsn.parse("1/0").bytesSince(Lsn.parse("0/FFFFFF00"))).isEqualTo(256);
        assertThat(Lsn.parse("0/10").bytesSince(Lsn.parse("0/20"))).isEqualTo(-16);
        assertThat(Lsn.max(low, high)).isEqualTo(high);
    }

    @Test
    void refusesWhatIsNotAPosition() {
        for (String bad : new String[] {"", "16", "/1", "1/", "G/1", "123456789/1", "1/123456789", "1/2/3", "-1/2"}) {
            assertThatThrownBy(() -> Lsn.parse(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("is not a WAL position");
        }
        assertThatThrownBy(() -> Lsn.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }
}
