#!/bin/sh
echo "hello from the basic example (workdir: $(pwd))"
cat /var/log/app/setup.log
