CREATE TABLE purchase_order (
    id          bigserial PRIMARY KEY,
    customer_id bigint      NOT NULL REFERENCES customer,
    status      text        NOT NULL CHECK (status IN ('PLACED', 'CANCELLED')),
    total_cents integer     NOT NULL,
    placed_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE order_line (
    id          bigserial PRIMARY KEY,
    order_id    bigint  NOT NULL REFERENCES purchase_order ON DELETE CASCADE,
    product_id  bigint  NOT NULL REFERENCES product,
    quantity    integer NOT NULL CHECK (quantity > 0),
    price_cents integer NOT NULL
);

CREATE INDEX order_line_order ON order_line (order_id);
CREATE INDEX purchase_order_customer ON purchase_order (customer_id);
