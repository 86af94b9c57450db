"""Official documents: templates, PDF/A rendering, the electronic seal, verification,
"Mijn documenten" and the paper print batch."""
