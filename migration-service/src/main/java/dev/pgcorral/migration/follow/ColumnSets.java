package dev.pgcorral.migration.follow;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Whether a table's columns as the source sends them match the destination's ordinary ones by name, and if not, what to
 * do. Where both sides have a column the other lacks, the source may have renamed one: the message says to rename it on
 * the destination too, since adding the new name and dropping the old one (what each difference alone asks for) would
 * lose the values of the old.
 */
final class ColumnSets {

    private ColumnSets() {
    }

    /**
     * @param table       the table, quoted
     * @param sent        the columns the source sends, in order
     * @param destination the destination's columns, in order
     * @param generated   those of them that are generated (the source need not send them)
     * @throws ApplyException naming the differences and what to do
     */
    static void check(String table, List<String> sent, List<String> destination, Collection<String> generated) {
        List<String> lacking = without(sent, destination);
        List<String> unsent = without(without(destination, generated), sent);
        if (!lacking.isEmpty() && !unsent.isEmpty()) {
            String rename = lacking.size() == 1 && unsent.size() == 1
                    ? "If the source renamed " + quoted(unsent) + " to " + quoted(lacking) + ", rename it on the destination (ALTER TABLE "
                    + table + " RENAME COLUMN " + quoted(unsent) + " TO " + quoted(lacking) + "): adding " + quoted(lacking) + " and dropping "
                    + quoted(unsent) + " would lose its values. Otherwise add and drop them as on the source"
                    : "Rename on the destination those the source renamed (ALTER TABLE " + table + " RENAME COLUMN … TO …): adding the new "
                    + "names and dropping the old would lose their values. Add and drop only the others, as on the source";
            throw new ApplyException("schema change on the source: table " + table + " has " + columns(lacking) + " that the destination "
                    + "does not have, and the destination has " + columns(unsent) + " that the source does not send. " + rename
                    + ", then start the migration again");
        }
        if (!lacking.isEmpty()) {
            throw new ApplyException("schema change on the source: table " + table + " has a column " + quoted(lacking.subList(0, 1))
                    + " that the destination does not have; apply the same change to the destination (ALTER TABLE " + table
                    + " ADD COLUMN …), then start the migration again");
        }
        if (!unsent.isEmpty()) {
            String column = quoted(unsent.subList(0, 1));
            throw new ApplyException("schema change on the source: table " + table + " has a column " + column + " on the destination "
                    + "that the source does not send (dropped there, or left out by the publication's column list); drop it on the "
                    + "destination too (ALTER TABLE " + table + " DROP COLUMN " + column + "), then start the migration again. If the "
                    + "source renamed it instead, and the new name was added on the destination, copy its values there first: a drop "
                    + "loses them");
        }
    }

    private static List<String> without(Collection<String> all, Collection<String> these) {
        List<String> rest = new ArrayList<>(all);
        rest.removeAll(these);
        return rest;
    }

    private static String columns(List<String> names) {
        return (names.size() == 1 ? "a column " : "columns ") + quoted(names);
    }

    private static String quoted(List<String> names) {
        return names.stream().map(n -> "\"" + n + "\"").collect(Collectors.joining(", "));
    }
}
