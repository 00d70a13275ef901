#!/bin/sh
# Writes the "binary": a script that greets.
cat <<'PROGRAM'
#!/bin/sh
echo "myapp built in stage builder, running in $(pwd)"
PROGRAM
