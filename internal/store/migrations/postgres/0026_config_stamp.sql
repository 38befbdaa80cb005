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
INSERT INTO config_stamp (id, stamp) VALUES (1, (random() * 9e18)::bigint);
CREATE FUNCTION kizuna_config_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE config_stamp SET stamp = (random() * 9e18)::bigint WHERE id = 1;
  RETURN NULL;
END
$$;
CREATE TRIGGER brands_stamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON brands FOR EACH STATEMENT EXECUTE FUNCTION kizuna_config_stamp();
CREATE TRIGGER business_schedules_stamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON business_schedules FOR EACH STATEMENT EXECUTE FUNCTION kizuna_config_stamp();
CREATE TRIGGER business_holidays_stamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON business_holidays FOR EACH STATEMENT EXECUTE FUNCTION kizuna_config_stamp();
CREATE TRIGGER sla_policies_stamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON sla_policies FOR EACH STATEMENT EXECUTE FUNCTION kizuna_config_stamp();
CREATE TRIGGER triggers_stamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON triggers FOR EACH STATEMENT EXECUTE FUNCTION kizuna_config_stamp();
CREATE TRIGGER ticket_fields_stamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ticket_fields FOR EACH STATEMENT EXECUTE FUNCTION kizuna_config_stamp();
