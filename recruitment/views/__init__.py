"""Screens of recruitment drives, appointment decisions and inspection.

One module per area: `drives` (the drive, its notice and council),
`applications` (candidates, scores, merit lists, results, hiring),
`appointments` (decisions and term-end alerts) and `inspection` (red flags and
inspection cases). The public disclosure pages are in recruitment/public_views.py.
"""
