"""The submission portal: regions upload files and get the verdict; the analyst
follows the collection. A Django project, and another face over the same stage
packages as the CLI: it never re-implements a rule and never opens the warehouse."""
