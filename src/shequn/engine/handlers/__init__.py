"""Built-in engine handlers."""
