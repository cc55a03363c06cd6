"""The sync server (FastAPI): the training portal today, the supervisor's hub later, one protocol."""
