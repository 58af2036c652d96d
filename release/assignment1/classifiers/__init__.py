"""Classifiers that students implement in assignment 1."""
