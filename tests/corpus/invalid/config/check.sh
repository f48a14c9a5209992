#!/bin/sh
# A detector program for the corpus configs to name: validate checks it exists.
exit 0
