"""Reading a seller's licence or KTP photo into proposed answers, in the sandbox (reader.py)."""
