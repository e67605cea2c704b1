"""Import the plain-text archive into YAML issues, losing nothing."""
