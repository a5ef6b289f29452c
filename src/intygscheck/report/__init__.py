"""Renderers: text, JSON, FHIR OperationOutcome and HTML views of certificates and results."""
