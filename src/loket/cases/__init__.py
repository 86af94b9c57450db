"""Cases (dossiers): case types with workflows as data, cases, timelines, queues."""
