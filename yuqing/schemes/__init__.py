"""Monitoring schemes (监测方案) kept in the database: stored and versioned (store), put in force in a running
process (live), tried on recent mentions before saving (preview) and re-applied to stored mentions (reapply)."""
