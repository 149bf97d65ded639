"""Ordered, named DDL steps. Never edit a shipped step: add a new one.

`store.migrate` applies the steps not yet recorded in `migrations`, each in
its own transaction together with its record. The text is DuckDB's; `POSTGRES` holds
a step's PostgreSQL text where it differs (types aside, `postgres.postgres_ddl`), and an
empty text is a step with nothing to do on that backend.
"""

from __future__ import annotations

from .queue import REBUILD_QUEUE

QUEUE_STATE = """
        ALTER TABLE assignments ADD COLUMN labeled BOOLEAN DEFAULT FALSE;
        CREATE INDEX assignments_transcript ON assignments (transcript_id);
        CREATE TABLE queue_state (
            transcript_id VARCHAR PRIMARY KEY,
            priority      TINYINT NOT NULL,
            audit_since   TIMESTAMPTZ,
            holders       INTEGER NOT NULL
        );
"""
"""Step 0004's tables (on DuckDB followed by the derivation of their rows)."""

MIGRATIONS: tuple[tuple[str, str], ...] = (
    (
        "0001_core",
        """
        CREATE TABLE ingest_batches (
            id            VARCHAR PRIMARY KEY,
            file          VARCHAR NOT NULL,
            source_format VARCHAR,
            started_at    TIMESTAMPTZ NOT NULL,
            finished_at   TIMESTAMPTZ,
            added         INTEGER NOT NULL DEFAULT 0,
            duplicates    INTEGER NOT NULL DEFAULT 0,
            grader_verdicts INTEGER NOT NULL DEFAULT 0,
            rejected      JSON
        );
        CREATE TABLE transcripts (
            id            VARCHAR PRIMARY KEY,
            source_format VARCHAR NOT NULL,
            source_ref    VARCHAR NOT NULL,
            model         VARCHAR,
            scenario      VARCHAR,
            goal_type     VARCHAR,
            goal_value    VARCHAR,
            urgency_type  VARCHAR,
            metadata      JSON,
            batch_id      VARCHAR NOT NULL,
            n_messages    INTEGER NOT NULL,
            n_chars       BIGINT NOT NULL
        );
        CREATE TABLE messages (
            transcript_id VARCHAR NOT NULL,
            idx           INTEGER NOT NULL,
            role          VARCHAR NOT NULL,
            text          VARCHAR NOT NULL,
            reasoning     VARCHAR,
            tool_calls    JSON,
            tool_call_id  VARCHAR,
            name          VARCHAR
        );
        CREATE TABLE raters (
            id         VARCHAR PRIMARY KEY,
            name       VARCHAR NOT NULL,
            role       VARCHAR NOT NULL,
            active     BOOLEAN NOT NULL DEFAULT TRUE,
            created_at TIMESTAMPTZ NOT NULL
        );
        CREATE TABLE schema_versions (
            version    INTEGER PRIMARY KEY,
            sha256     VARCHAR NOT NULL,
            body       VARCHAR NOT NULL,
            created_at TIMESTAMPTZ NOT NULL
        );
        CREATE SEQUENCE label_seq;
        CREATE TABLE labels (
            id             BIGINT PRIMARY KEY DEFAULT nextval('label_seq'),
            transcript_id  VARCHAR NOT NULL,
            rater          VARCHAR NOT NULL,
            dimension      VARCHAR NOT NULL,
            value          VARCHAR NOT NULL,
            rationale      VARCHAR NOT NULL DEFAULT '',
            evidence       JSON,
            tags           VARCHAR[],
            schema_version INTEGER NOT NULL,
            seconds        DOUBLE,
            created_at     TIMESTAMPTZ NOT NULL
        );
        CREATE TABLE assignments (
            transcript_id VARCHAR NOT NULL,
            rater         VARCHAR NOT NULL,
            queue         VARCHAR NOT NULL,
            state         VARCHAR NOT NULL,
            flagged       BOOLEAN NOT NULL DEFAULT FALSE,
            note          VARCHAR,
            created_at    TIMESTAMPTZ NOT NULL,
            updated_at    TIMESTAMPTZ NOT NULL,
            PRIMARY KEY (transcript_id, rater)
        );
        CREATE TABLE queue_items (
            transcript_id  VARCHAR NOT NULL,
            queue          VARCHAR NOT NULL,
            inclusion_prob DOUBLE,
            reason         VARCHAR,
            created_at     TIMESTAMPTZ NOT NULL,
            PRIMARY KEY (transcript_id, queue)
        );
        CREATE SEQUENCE gold_seq;
        CREATE TABLE gold (
            id             BIGINT PRIMARY KEY DEFAULT nextval('gold_seq'),
            transcript_id  VARCHAR NOT NULL,
            dimension      VARCHAR NOT NULL,
            value          VARCHAR NOT NULL,
            method         VARCHAR NOT NULL,
            who            VARCHAR NOT NULL,
            note           VARCHAR NOT NULL DEFAULT '',
            schema_version INTEGER NOT NULL,
            created_at     TIMESTAMPTZ NOT NULL
        );
        CREATE TABLE grader_runs (
            grader      VARCHAR PRIMARY KEY,
            model       VARCHAR,
            prompt_hash VARCHAR,
            source      VARCHAR,
            created_at  TIMESTAMPTZ NOT NULL
        );
        CREATE TABLE grader_verdicts (
            grader        VARCHAR NOT NULL,
            transcript_id VARCHAR NOT NULL,
            field         VARCHAR NOT NULL,
            dimension     VARCHAR,
            value         VARCHAR,
            score         DOUBLE,
            answer        VARCHAR,
            explanation   VARCHAR,
            metadata      JSON,
            batch_id      VARCHAR,
            PRIMARY KEY (grader, transcript_id, field)
        );
        """,
    ),
    (
        "0002_case_notes",
        """
        CREATE SEQUENCE case_note_seq;
        CREATE TABLE case_notes (
            id            BIGINT PRIMARY KEY DEFAULT nextval('case_note_seq'),
            transcript_id VARCHAR NOT NULL,
            dimension     VARCHAR NOT NULL,
            kind          VARCHAR NOT NULL,
            who           VARCHAR NOT NULL,
            note          VARCHAR NOT NULL,
            created_at    TIMESTAMPTZ NOT NULL
        );
        """,
    ),
    (
        "0003_audit_draws",
        """
        CREATE TABLE audit_draws (
            id           VARCHAR PRIMARY KEY,
            grader       VARCHAR NOT NULL,
            n_requested  INTEGER NOT NULL,
            agree_share  DOUBLE NOT NULL,
            seed         BIGINT NOT NULL,
            frame        INTEGER NOT NULL,
            strata       JSON,
            who          VARCHAR NOT NULL,
            created_at   TIMESTAMPTZ NOT NULL
        );
        CREATE TABLE audit_items (
            draw_id        VARCHAR NOT NULL,
            transcript_id  VARCHAR NOT NULL,
            stratum        VARCHAR NOT NULL,
            status         VARCHAR NOT NULL,
            inclusion_prob DOUBLE NOT NULL,
            PRIMARY KEY (draw_id, transcript_id)
        );
        """,
    ),
    (
        # The queue's per-transcript state (see `queue`); filled by the same
        # derivation `Store.rebuild_queue` runs.
        "0004_queue_state",
        QUEUE_STATE + REBUILD_QUEUE,
    ),
    (
        # What an assignment's note is (`models.NoteKind`); notes written before this step
        # get their kind from what the code that wrote them put in the text.
        "0005_note_kind",
        """
        ALTER TABLE assignments ADD COLUMN note_kind VARCHAR;
        UPDATE assignments SET note_kind = CASE
            WHEN note LIKE 'Question from%' THEN 'question'
            WHEN state = 'skipped' THEN 'skip'
            WHEN flagged AND note = 'flagged for discussion' THEN 'flag'
        END
        WHERE note IS NOT NULL;
        """,
    ),
    (
        # What PostgreSQL needs that DuckDB does not: indexes for the label loop's reads, and
        # the text-search documents (DuckDB builds its own, `transcripts._fts_ready`).
        "0006_postgres_indexes",
        "",
    ),
    (
        # PostgreSQL: a rater's items read from the index alone (the queue's "never one they
        # had" test, for progress and claims), and the flagged items (the adjudicate page, every
        # run). The claim's own index depends on the project's k and seed: `PostgresStore`
        # makes it on first use.
        "0007_postgres_queue_indexes",
        "",
    ),
    (
        # Secrets every server of one database shares (the key that signs local-mode
        # cookies), kept with the data rather than in a file beside one server.
        "0008_secrets",
        """
        CREATE TABLE secrets (
            name  VARCHAR PRIMARY KEY,
            value VARCHAR NOT NULL
        );
        """,
    ),
    (
        # PostgreSQL: what `labels_and_gold_version` reads instead of counting a million
        # rows (70-150 ms). DuckDB counts them in microseconds.
        "0009_postgres_change_counter",
        "",
    ),
)

POSTGRES: dict[str, str] = {
    # A PostgreSQL database starts empty at this step: its queue state has nothing to derive.
    "0004_queue_state": QUEUE_STATE,
    "0006_postgres_indexes": """
        CREATE INDEX labels_item ON labels (transcript_id, dimension, rater);
        CREATE INDEX labels_rater ON labels (rater, transcript_id);
        CREATE INDEX gold_item ON gold (transcript_id, dimension);
        CREATE INDEX messages_transcript ON messages (transcript_id, idx);
        CREATE INDEX assignments_rater ON assignments (rater, state);
        CREATE INDEX grader_verdicts_transcript ON grader_verdicts (transcript_id);
        CREATE INDEX queue_items_transcript ON queue_items (transcript_id);
        CREATE INDEX queue_state_open ON queue_state (priority, holders);
        CREATE TABLE search_docs (transcript_id VARCHAR PRIMARY KEY, body TSVECTOR NOT NULL);
        CREATE INDEX search_docs_body ON search_docs USING GIN (body);
        """,
    "0007_postgres_queue_indexes": """
        CREATE INDEX assignments_rater_item ON assignments (rater, transcript_id);
        CREATE INDEX assignments_flagged ON assignments (updated_at) WHERE flagged;
        """,
    # Every statement that writes labels or gold adds one to its server connection's own
    # row for that table, in its own transaction: the sums change exactly when such a
    # write commits, and no two transactions ever wait on one row (a backend runs one
    # transaction at a time).
    "0009_postgres_change_counter": """
        CREATE TABLE change_counter (
            backend INTEGER NOT NULL,
            tab     VARCHAR NOT NULL,
            n       BIGINT NOT NULL,
            PRIMARY KEY (backend, tab)
        );
        CREATE FUNCTION goldset_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO change_counter VALUES (pg_backend_pid(), TG_TABLE_NAME, 1)
            ON CONFLICT (backend, tab) DO UPDATE SET n = change_counter.n + 1;
            RETURN NULL;
        END $$;
        CREATE TRIGGER labels_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON labels
            FOR EACH STATEMENT EXECUTE FUNCTION goldset_changed();
        CREATE TRIGGER gold_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON gold
            FOR EACH STATEMENT EXECUTE FUNCTION goldset_changed();
        """,
}
"""Steps whose PostgreSQL text is not the DuckDB one (types aside: `postgres.postgres_ddl`)."""
