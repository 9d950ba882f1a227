-- What a clone made in its destination: the OIDs of the relations (indexes aside) and schemas there once its schema
-- was restored into the empty database. A run that starts over drops only those, and refuses while the destination
-- holds anything else (a table the user made there since). NULL: not known (a clone of an earlier version).

ALTER TABLE migrations ADD COLUMN dest_made bigint[];
