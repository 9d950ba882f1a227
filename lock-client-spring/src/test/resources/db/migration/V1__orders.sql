CREATE TABLE orders (id serial PRIMARY KEY, note text NOT NULL);
