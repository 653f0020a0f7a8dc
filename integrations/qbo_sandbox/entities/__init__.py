"""QBO entities: one module per family, each a handler with the business rules of spec §3."""
