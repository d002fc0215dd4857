-- npda 1.0 -> 1.1: submissions (CSV ingestion with validation and atomic
-- replacement) and per-child KPI scoring.
\echo Use "ALTER EXTENSION npda UPDATE TO '1.1'" to load this file. \quit
