package dev.pgcorral.replay.api.v1;

import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import dev.pgcorral.common.web.ApiException;

/** A PATCH of a session or a checkpoint: a new name, a new description, or both; what is left out stays. */
public record Rename(@Size(max = 200) @Pattern(regexp = "(?s).*\\S.*", message = "must not be blank") String name,
                     @Size(max = 2000) String description) {

    /** 400 when neither is given. */
    Rename require() {
        if (name == null && description == null) {
            throw ApiException.badRequest("give name, description or both");
        }
        return this;
    }
}
