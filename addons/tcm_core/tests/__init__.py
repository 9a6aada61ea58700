"""Tests of tcm_core (run with the project test command; fixtures from server.testing)."""
