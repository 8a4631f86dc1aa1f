"""Skills: one module (or package) each, registered in skills/catalog.py."""
