package dev.pgcorral.migration.migration;

import dev.pgcorral.migration.clone.CloneProgress;
import dev.pgcorral.migration.follow.FollowProgress;

/**
 * What a run in progress shows: its record (phases, tables, events, log) and, once it follows the
 * source, how far the destination got and the lag ({@code follow} is null before).
 */
public record LiveRun(CloneProgress record, FollowProgress follow) {
}
