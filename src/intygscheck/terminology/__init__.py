"""Terminology: ICD-10-SE diagnosis codes and Socialstyrelsen's FMB tables."""
