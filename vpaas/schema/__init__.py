"""Everything generated from the registry: api_schema XML, OpenAPI 3.1."""
