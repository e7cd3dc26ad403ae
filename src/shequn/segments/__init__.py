"""Segments: a readable rule language over tags and profiles, compiled to Ibis."""
