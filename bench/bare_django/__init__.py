"""The bare Django reference for `bench/webhook_load.py`: the least a correct webhook can do.

One view under `/webhooks/zalo/` reads the body, parses the JSON and INSERTs one row (the raw
payload and a unique provider key, duplicates ignored) into `bare_inbound`, then answers
200 JSON. No signature check, no middleware, no installed apps, no models: what BinhYen's
intake is compared against. `BARE_DATABASE_URL` names the database (a fresh SQLite file in
WAL mode like BinhYen's inbox, or a fresh PostgreSQL database); `create_table()` makes the
table before gunicorn starts.
"""
