"""Reshaping layers."""
