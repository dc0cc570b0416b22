-- Two customers with crossed data: Anna (two orders, one invoiced in 2024) and Bo.
CREATE TABLE customers (id INTEGER PRIMARY KEY, email VARCHAR(200) NOT NULL, phone VARCHAR(40), name VARCHAR(200) NOT NULL, city VARCHAR(100), restricted BOOLEAN NOT NULL DEFAULT FALSE);
CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers (id), placed_on DATE NOT NULL, note VARCHAR(500));
CREATE TABLE invoices (id INTEGER PRIMARY KEY, issued_on DATE NOT NULL, order_id INTEGER NOT NULL REFERENCES orders (id), billing_name VARCHAR(200) NOT NULL, billing_email VARCHAR(200) NOT NULL, amount INTEGER NOT NULL);
INSERT INTO customers VALUES (1, 'anna.svensson@example.se', '+46701740605', 'Anna Svensson', 'Uppsala', FALSE);
INSERT INTO customers VALUES (2, 'bo.berg@example.se', '+46701740606', 'Bo Berg', 'Lund', FALSE);
INSERT INTO orders VALUES (10, 1, '2024-03-01', 'Leave at the door');
INSERT INTO orders VALUES (11, 1, '2026-10-02', NULL);
INSERT INTO orders VALUES (12, 2, '2026-10-03', 'Call first');
INSERT INTO invoices VALUES (100, '2024-03-02', 10, 'Anna Svensson', 'anna.svensson@example.se', 4900);
INSERT INTO invoices VALUES (101, '2026-10-04', 12, 'Bo Berg', 'bo.berg@example.se', 1200);
