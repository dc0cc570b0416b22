-- Two participants of an event: Anna and Bo.
CREATE TABLE participants (id INTEGER PRIMARY KEY, email VARCHAR(200) NOT NULL, name VARCHAR(200) NOT NULL, city VARCHAR(100), food VARCHAR(200));
INSERT INTO participants VALUES (1, 'anna.svensson@example.se', 'Anna Svensson', 'Uppsala', 'Vegetarian, no nuts');
INSERT INTO participants VALUES (2, 'bo.berg@example.se', 'Bo Berg', 'Lund', 'Vegan');
