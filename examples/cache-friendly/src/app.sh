#!/bin/sh
echo "app running with:"
cat /app/installed.txt
