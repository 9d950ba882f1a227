package dev.pgcorral.migration.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

class UlidTest {

    @Test
    void encodesTheTimeInTheFirstTenCharactersAndRandomnessInTheRest() {
        String zero = Ulid.of(0, new SecureRandom());
        assertThat(zero).hasSize(26).startsWith("0000000000").matches("[0-9a-hjkmnp-tv-z]{26}");
        // 1469918176385 ms is 01ARYZ6S41 in the ULID spec's example
        assertThat(Ulid.of(1469918176385L, new SecureRandom())).startsWith("01aryz6s41");
        assertThat(Ulid.of((1L << 48) - 1, new SecureRandom())).startsWith("7zzzzzzzzz");
        assertThatThrownBy(() -> Ulid.of(1L << 48, new SecureRandom())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void laterMillisecondsSortLaterAndIdsDiffer() {
        assertThat(Ulid.of(1000, new SecureRandom())).isLessThan(Ulid.of(1001, new SecureRandom()));
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            ids.add(Ulid.next());
        }
        assertThat(ids).hasSize(1000).allMatch(id -> id.matches("[0-9a-hjkmnp-tv-z]{26}"));
    }

    @Test
    void allEightyRandomBitsReachTheText() {
        SecureRandom ones = new SecureRandom() {
            @Override
            public void nextBytes(byte[] bytes) {
                Arrays.fill(bytes, (byte) 0xff);
            }
        };
        assertThat(Ulid.of(0, ones)).isEqualTo("0000000000" + "z".repeat(16));
    }
}
