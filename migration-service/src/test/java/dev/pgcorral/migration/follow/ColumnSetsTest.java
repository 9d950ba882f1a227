package dev.pgcorral.migration.follow;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

class ColumnSetsTest {

    private static final String T = "\"public\".\"t\"";

    @Test
    void theSameColumnsPass() {
        assertThatCode(() -> ColumnSets.check(T, List.of("id", "v"), List.of("v", "id"), List.of())).doesNotThrowAnyException();
    }

    @Test
    void aGeneratedColumnNeedNotBeSentAndOneThatIsSentIsNotLacking() {
        // not sent: the destination computes it; sent: TargetTables then says it is generated on the destination only
        assertThatCode(() -> ColumnSets.check(T, List.of("id"), List.of("id", "g"), List.of("g"))).doesNotThrowAnyException();
        assertThatCode(() -> ColumnSets.check(T, List.of("id", "g"), List.of("id", "g"), List.of("g"))).doesNotThrowAnyException();
    }

    @Test
    void aColumnOnEachSideIsNamedAsAPossibleRenameNotAnAddThenADrop() {
        assertThatThrownBy(() -> ColumnSets.check(T, List.of("id", "y"), List.of("id", "x"), List.of()))
                .hasMessageContaining("has a column \"y\" that the destination does not have, and the destination has a column \"x\"")
                .hasMessageContaining("ALTER TABLE \"public\".\"t\" RENAME COLUMN \"x\" TO \"y\"")
                .hasMessageContaining("would lose its values");
        assertThatThrownBy(() -> ColumnSets.check(T, List.of("id", "y", "z"), List.of("id", "a", "b"), List.of()))
                .hasMessageContaining("columns \"y\", \"z\"").hasMessageContaining("columns \"a\", \"b\"")
                .hasMessageContaining("Rename on the destination those the source renamed");
    }

    @Test
    void aColumnOnOneSideOnlyIsAnAddOrADrop() {
        assertThatThrownBy(() -> ColumnSets.check(T, List.of("id", "y"), List.of("id"), List.of()))
                .hasMessageContaining("has a column \"y\" that the destination does not have").hasMessageContaining("ADD COLUMN");
        assertThatThrownBy(() -> ColumnSets.check(T, List.of("id"), List.of("id", "x"), List.of()))
                .hasMessageContaining("DROP COLUMN \"x\"").hasMessageContaining("copy its values there first");
    }
}
