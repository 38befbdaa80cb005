-- The configuration every ticket write reads (default brand, business
-- hours, SLA policies, triggers, custom field definitions) is cached by
-- the process under this stamp (config_cache.go). Any change to those
-- tables, from this process, another node or a command-line run, sets a
-- new random stamp in the same transaction: a cached value is only used
-- under the stamp it was read with, and a rolled-back change's stamp never
-- comes back.
CREATE TABLE config_stamp (
  id INTEGER PRIMARY KEY,
  stamp BIGINT NOT NULL
);
INSERT INTO config_stamp (id, stamp) VALUES (1, random());
CREATE TRIGGER brands_stamp_ins AFTER INSERT ON brands BEGIN UPDATE config_stamp SET stamp = random() WHERE id = 1; END;
CREATE TRIGGER brands_stamp_upd AFTER UPDATE ON brands BEGIN UPDATE config_stamp SET stamp = random() WHERE id = 1; END;
CREATE TRIGGER brands_stamp_del AFTER DELETE ON brands BEGIN UPDATE config_stamp SET stamp = random() WHERE id = 1; END;
CREATE TRIGGER business_schedules_stamp_ins AFTER INSERT ON business_schedules BEGIN UPDATE config_stamp SET stamp = random() WHERE id = 1; END;
CREATE TRIGGER business_schedules_stamp_upd AFTER UPDATE ON business_schedules BEGIN UPDATE config_stamp SET stamp = random() WHERE id = 1; END;
CREATE TRIGGER business_schedules_stamp_del AFTER DELETE ON business_schedules BEGIN UPDATE config_stamp SET stamp = random() WHERE id = 1; END;
CREATE TRIGGER business_holidays_stamp_ins AFTER INSERT ON business_holidays BEGIN UPDATE config_stamp SET stamp = random() WHERE id = 1; END;
CREATE TRIGGER business_holidays_stamp_upd AFTER UPDATE ON business_holidays BEGIN UPDATE config_stamp SET stamp = random() WHERE id = 1; END;
CREATE TRIGGER business_holidays_stamp_del AFTER DELETE ON business_holidays BEGIN UPDATE config_stamp SET stamp = random() WHERE id = 1; END;
CREATE TRIGGER sla_policies_stamp_ins AFTER INSERT ON sla_policies BEGIN UPDATE config_stamp SET stamp = random() WHERE id = 1; END;
CREATE TRIGGER sla_policies_stamp_upd AFTER UPDATE ON sla_policies BEGIN UPDATE config_stamp SET stamp = random() WHERE id = 1; END;
CREATE TRIGGER sla_policies_stamp_del AFTER DELETE ON sla_policies BEGIN UPDATE config_stamp SET stamp = random() WHERE id = 1; END;
CREATE TRIGGER triggers_stamp_ins AFTER INSERT ON triggers BEGIN UPDATE config_stamp SET stamp = random() WHERE id = 1; END;
CREATE TRIGGER triggers_stamp_upd AFTER UPDATE ON triggers BEGIN UPDATE config_stamp SET stamp = random() WHERE id = 1; END;
CREATE TRIGGER triggers_stamp_del AFTER DELETE ON triggers BEGIN UPDATE config_stamp SET stamp = random() WHERE id = 1; END;
CREATE TRIGGER ticket_fields_stamp_ins AFTER INSERT ON ticket_fields BEGIN UPDATE config_stamp SET stamp = random() WHERE id = 1; END;
CREATE TRIGGER ticket_fields_stamp_upd AFTER UPDATE ON ticket_fields BEGIN UPDATE config_stamp SET stamp = random() WHERE id = 1; END;
CREATE TRIGGER ticket_fields_stamp_del AFTER DELETE ON ticket_fields BEGIN UPDATE config_stamp SET stamp = random() WHERE id = 1; END;
