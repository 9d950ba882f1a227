package dev.pgcorral.replay.session;

import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * What a new session is made of; everything may be left out.
 *
 * @param name           shown in lists; default "session"
 * @param database       the database to capture on the source server; default the configured source's
 * @param source         another source server, as a {@code postgresql://} URL (the database in it unless {@code database} is given)
 * @param target         another target server, as a {@code postgresql://} URL
 * @param targetDatabase the target database's name on the target server; default the configured target's, or a
 *                       name derived from it when another session already moves that one
 */
public record NewSession(@Size(max = 200) String name, @Size(max = 2000) String description, @Size(max = 63) String database,
                         String source, String target,
                         @Size(max = 63) @Pattern(regexp = "[a-zA-Z_][a-zA-Z0-9_]*", message = "must be a plain SQL name") String targetDatabase) {
}
