-- The shop of dataset.yml, portable across PostgreSQL, MariaDB and SQLite.
-- Ada (customer 1) and Bo (customer 2) share a name, a town, a product and id values
-- (Ada's order 2 and Bo's order 1 carry the other's customer id), so a traversal that
-- follows the wrong column shows up as someone else's rows. Cy (3) is a bystander.

CREATE TABLE addresses (
    id INTEGER PRIMARY KEY,
    street VARCHAR(100),
    city VARCHAR(100) NOT NULL
);

CREATE TABLE customers (
    id INTEGER PRIMARY KEY,
    email VARCHAR(100),
    phone VARCHAR(30),
    name VARCHAR(100),
    birth_date DATE,
    address_id INTEGER REFERENCES addresses (id),
    created_on DATE
);

CREATE TABLE orders (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER REFERENCES customers (id),
    placed_on DATE,
    delivery_note VARCHAR(200)
);

CREATE TABLE products (
    code VARCHAR(20) PRIMARY KEY,
    title VARCHAR(100)
);

CREATE TABLE order_items (
    order_id INTEGER REFERENCES orders (id),
    line_no INTEGER,
    product_code VARCHAR(20) REFERENCES products (code),
    gift_message VARCHAR(200),
    PRIMARY KEY (order_id, line_no)
);

CREATE TABLE invoices (
    id INTEGER PRIMARY KEY,
    order_id INTEGER REFERENCES orders (id),
    issued_on DATE,
    billing_name VARCHAR(100),
    billing_email VARCHAR(100),
    amount NUMERIC(10, 2)
);

CREATE TABLE tickets (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER REFERENCES customers (id),
    contact_email VARCHAR(100),
    body VARCHAR(500),
    opened_at TIMESTAMP
);

INSERT INTO addresses VALUES
(10, '1 Example Road', 'Exampleby'),
(11, '2 Example Road', 'Exampleby'),
(12, '3 Sample Street', 'Sampleton');

INSERT INTO customers VALUES
(1, 'ada@example.com', '+46701111111', 'Alex Example', '1990-05-17', 10, '2020-01-01'),
(2, 'bo@example.com', '+46702222222', 'Alex Example', '1985-11-30', 11, '2021-03-03'),
(3, 'cy@example.org', NULL, 'Cy Sample', NULL, 12, '2022-07-07');

INSERT INTO orders VALUES
(1, 2, '2024-03-01', 'Ring twice'),
(2, 1, '2024-02-01', 'Leave at the door'),
(3, 1, '2025-06-15', NULL),
(4, 3, '2025-07-01', 'Back entrance');

INSERT INTO products VALUES
('P-1', 'Mug'),
('P-2', 'Tea'),
('P-3', 'Spoon');

INSERT INTO order_items VALUES
(1, 1, 'P-1', 'For Bo'),
(2, 1, 'P-1', 'Happy birthday'),
(2, 2, 'P-2', NULL),
(3, 1, 'P-3', NULL),
(4, 1, 'P-1', NULL);

INSERT INTO invoices VALUES
(100, 2, '2024-02-02', 'Alex Example', 'ada@example.com', 120.00),
(101, 1, '2024-03-02', 'Alex Example', 'bo@example.com', 80.00),
(102, 3, '2025-06-16', 'Alex Example', 'ada@example.com', 35.50),
(103, 4, '2025-07-02', 'Cy Sample', 'cy@example.org', 12.00);

INSERT INTO tickets VALUES
(1, 1, 'ada@example.com', 'Where is my parcel?', '2024-02-05 10:15:00'),
(2, 2, 'bo@example.com', 'Wrong colour', '2024-03-05 09:00:00'),
(3, NULL, 'ada@example.com', 'Please unsubscribe me', '2024-04-01 08:30:00'),
(4, 1, 'desk@example.net', 'Called about a refund', '2024-04-02 14:00:00'),
(5, NULL, 'cy@example.org', 'Opening hours?', '2024-05-01 12:00:00');
