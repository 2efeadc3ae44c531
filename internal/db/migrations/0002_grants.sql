-- +goose Up
-- A grant lets a grantee see a patient's data within its scopes. Kind
-- "share" is given by the patient; kind "care" is a care-team assignment by
-- an administrator. Grants are never deleted, only revoked.
CREATE TABLE grants (
    id          TEXT PRIMARY KEY,
    patient_id  TEXT NOT NULL REFERENCES users(id),
    grantee_id  TEXT NOT NULL REFERENCES users(id),
    kind        TEXT NOT NULL,
    scopes      TEXT NOT NULL,  -- ",vitals,alerts," so that LIKE '%,vitals,%' tests a scope
    expires_at  BIGINT,
    created_at  BIGINT NOT NULL,
    created_by  TEXT NOT NULL REFERENCES users(id),
    revoked_at  BIGINT,
    revoked_by  TEXT REFERENCES users(id)
);
CREATE INDEX grants_grantee ON grants (grantee_id, patient_id);
CREATE INDEX grants_patient ON grants (patient_id);

-- +goose Down
DROP TABLE grants;
