"""Products and services of the municipality (IPDC / CPSV-AP), and their online forms."""
