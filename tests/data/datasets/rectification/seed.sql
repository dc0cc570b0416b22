-- Anna (two orders, on the newsletter by phone) and Bo (one order). No city may be
-- 'Atlantis': a check the database makes, to fail a write after others have run.
CREATE TABLE customers (id INTEGER PRIMARY KEY, email VARCHAR(200) NOT NULL, name VARCHAR(40) NOT NULL, signup_name VARCHAR(200), city VARCHAR(100) CHECK (city <> 'Atlantis'), address VARCHAR(200), postal_code INTEGER, birth_date DATE, restricted BOOLEAN NOT NULL);
CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers (id), recipient VARCHAR(200), placed_on DATE NOT NULL);
CREATE TABLE newsletter (id INTEGER PRIMARY KEY, phone VARCHAR(40) NOT NULL, name VARCHAR(200), restricted BOOLEAN);
INSERT INTO customers VALUES (1, 'anna@example.com', 'Anna Svensson', 'Anna Svensson', 'Uppsala', 'Storgatan 1, 753 20 Uppsala', 75320, '1990-05-17', FALSE);
INSERT INTO customers VALUES (2, 'bo@example.com', 'Bo Berg', 'Bo Berg', 'Lund', 'Kyrkogatan 2, 222 22 Lund', 22222, '1985-01-02', FALSE);
INSERT INTO orders VALUES (10, 1, 'Anna Svensson', '2024-03-01');
INSERT INTO orders VALUES (11, 1, 'A. Svensson', '2025-10-02');
INSERT INTO orders VALUES (12, 2, 'Bo Berg', '2025-10-03');
INSERT INTO newsletter VALUES (1, '+46700000001', 'Anna Svensson', FALSE);
