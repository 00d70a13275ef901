#!/usr/bin/env bats
# The seed tutorial (../shared/seed), section by section: every podman command it shows, run
# with kiln in place of podman, in the tutorial's order, on the busybox base.
load helpers

setup() {
  setup_store
  import_busybox >/dev/null
  PROJECT=$BATS_TEST_TMPDIR/project
  mkdir -p "$PROJECT"
  cp -r "$REPO_ROOT/examples/basic/." "$PROJECT/"
  cd "$PROJECT"
  export KILN_BIN TEST_ROOT
  export -f kiln  # for the tutorial's pipelines, run through bash -c
}

# The tutorial's build-args example: VERSION and ENV given with --build-arg.
build_args_containerfile() {
  cat > "$PROJECT/Containerfile.args" <<'CF'
FROM localhost/busybox
ARG VERSION=0.0.0
ARG ENV=development
LABEL version=$VERSION
ENV APP_ENV=$ENV
CMD ["sh", "-c", "echo $APP_ENV"]
CF
}

@test "tutorial 2: podman build and its common options" {
  run -0 kiln build -t myapp:v1.0 .
  [ "${lines[-2]}" = "Successfully tagged localhost/myapp:v1.0" ]
  run -0 kiln build -t webapp:latest "$PROJECT"
  run -0 kiln build -t myapp:1.0 -t myapp:latest .
  [ "${lines[-3]}" = "Successfully tagged localhost/myapp:1.0" ]
  [ "${lines[-2]}" = "Successfully tagged localhost/myapp:latest" ]
  cp Containerfile Dockerfile.prod
  echo 'LABEL stage=prod' >> Dockerfile.prod
  run -0 kiln build -f Dockerfile.prod -t myapp:prod .
  [ "$(kiln inspect --format '{{.Labels.stage}}' myapp:prod)" = prod ]
  build_args_containerfile
  run -0 kiln build -f Containerfile.args --build-arg VERSION=1.2.3 --build-arg ENV=production .
  id=${lines[-1]}
  [ "$(kiln inspect --format '{{.Labels.version}}' "$id")" = 1.2.3 ]
  [ "$(kiln run --rm "$id")" = production ]
  run -0 kiln build --no-cache -t myapp:fresh .
  [[ "$output" != *"Using cache"* ]]
  run -0 kiln build -t myapp .
  [[ "$output" == *"Using cache"* ]]
  run -0 kiln run --rm myapp:1.0
}

@test "tutorial 4: podman tag, images, rmi of one tag, version aliases" {
  kiln build -q -t myapp:1.0 . >/dev/null
  run -0 kiln tag myapp:1.0 myapp:latest
  run -0 kiln tag myapp:1.0 myapp:stable
  run -0 kiln tag myapp:1.0 harbor.company.com/project/myapp:1.0
  run -0 kiln images
  [[ "$output" == *"harbor.company.com/project/myapp"* ]]
  run -0 kiln images myapp
  [ "${#lines[@]}" -eq 5 ]  # the header, 1.0, latest, stable and harbor.company.com/project/myapp
  kiln tag myapp:1.0 myapp:old-version
  run -0 kiln rmi myapp:old-version
  [ "$output" = "Untagged: localhost/myapp:old-version" ]
  kiln build -q -t myapp:2.1.0 . >/dev/null
  run -0 kiln tag myapp:2.1.0 myapp:2.1
  run -0 kiln tag myapp:2.1.0 myapp:2
  run -0 kiln tag myapp:2.1.0 myapp:latest
  run -0 kiln images --format '{{.Tag}}' myapp
  [[ "$output" == *2.1* && "$output" == *stable* ]]
}

@test "tutorial 5: rmi by tag, ID and prefix; prunes; safety checks; system df" {
  kiln build -q -t myapp:1.0 . >/dev/null
  id=$(kiln inspect --format '{{.Id}}' myapp:1.0)
  kiln tag myapp:1.0 myapp:only-tag
  run -0 kiln rmi myapp:1.0
  run -0 kiln rmi "${id:0:12}"
  [[ "$output" == *"Deleted: $id"* ]]
  kiln build -q -t myapp:1.0 . >/dev/null
  run -0 kiln rmi "$(kiln inspect --format '{{.Id}}' myapp:1.0 | cut -c1-6)"

  kiln build -q -t myapp:1.0 . >/dev/null
  echo "# changed" >> app.sh
  kiln build -q -t myapp:1.0 . >/dev/null  # the old image is now dangling
  run -0 bash -c "yes | kiln image prune"
  [[ "$output" == *"Are you sure you want to continue? [y/N]"* ]]
  run -0 kiln image prune -a -f
  run -0 kiln images -q
  [ -z "$output" ]  # busybox too: nothing used it
  import_busybox >/dev/null
  kiln build -q -t myapp:1.0 . >/dev/null
  echo "# v2" >> app.sh
  kiln build -q -t myapp:2.0 . >/dev/null
  run -0 kiln rmi $(kiln images myapp -q)
  # (as in podman, an image with several tags would need -f when removed by ID)
  run -0 kiln images -q myapp
  [ -z "$output" ]

  kiln build -q -t myapp:1.0 . >/dev/null
  kiln run --name user1 myapp:1.0 >/dev/null
  run -2 kiln rmi myapp:1.0  # a container uses it
  run -0 kiln ps -a --filter ancestor=myapp:1.0
  [[ "$output" == *user1* ]]
  run -0 kiln images --tree myapp
  [[ "$output" == *"Top Layer of: [localhost/myapp:1.0]"* ]]
  run -0 kiln container prune -f
  run -0 kiln rmi myapp:1.0
  kiln build -q -t myapp:1.0 . >/dev/null
  kiln run --name user2 myapp:1.0 >/dev/null
  run -0 kiln rmi -f myapp:1.0
  run -0 kiln system df
  [[ "${lines[0]}" == TYPE* ]]
  run -0 kiln system df -v
  [[ "$output" == *"Images space usage:"* ]]
}

@test "tutorial 6: save and load, every way the tutorial shows" {
  kiln build -q -t myapp:1.0 . >/dev/null
  echo "# v2" >> app.sh
  kiln build -q -t myapp:2.0 . >/dev/null
  run -0 kiln save myapp:1.0 -o myapp-v1.0.tar
  run -0 kiln save myapp:1.0 myapp:2.0 -o myapp-versions.tar
  kiln save myapp:1.0 | gzip > myapp-v1.0.tar.gz
  run -0 kiln save --format=oci-dir myapp:1.0 -o myapp-oci/
  [ -f myapp-oci/index.json ]
  run -0 kiln save myapp:1.0 -o myapp.tar --progress
  for image in $(kiln images --format "{{.Repository}}:{{.Tag}}" | grep myapp); do
    filename=$(echo "$image" | tr '/:' '__')
    kiln save "$image" -o "${filename}.tar"
  done
  [ -f localhost_myapp_1.0.tar ] && [ -f localhost_myapp_2.0.tar ]

  kiln rmi -a -f >/dev/null
  run -0 kiln load -i myapp-v1.0.tar
  [[ "$output" == *"Loaded image: localhost/myapp:1.0"* ]]
  kiln rmi -a -f >/dev/null
  run -0 bash -c "gunzip -c myapp-v1.0.tar.gz | kiln load"
  [[ "$output" == *"Loaded image: localhost/myapp:1.0"* ]]
  run -0 bash -c "cat myapp-versions.tar | kiln load"
  [[ "$output" == *"Loaded image: localhost/myapp:2.0"* ]]
  run -0 bash -c "kiln images | grep myapp"
  [ "${#lines[@]}" -eq 2 ]
  run -0 kiln inspect myapp:1.0
  run -0 kiln run --rm myapp:1.0
}

@test "tutorial 7: inspect with --format, and the image analysis script" {
  kiln build -q -t myapp:1.0 . >/dev/null
  run -0 kiln inspect myapp:1.0
  [ "$(echo "$output" | jq -r '.[0].Config.WorkingDir')" = /app ]
  [ "$(kiln inspect --format='{{.Config.ExposedPorts}}' myapp:1.0)" = "map[8080/tcp:{}]" ]
  run -0 kiln inspect --format='{{.Created}}' myapp:1.0
  [[ "$output" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}\ [0-9:.]+\ \+0000\ UTC$ ]]
  run -0 kiln inspect --format='{{.Size}}' myapp:1.0
  [[ "$output" =~ ^[0-9]+$ ]]
  run -0 kiln inspect --format='{{range .Config.Env}}{{println .}}{{end}}' myapp:1.0
  [[ "${lines[0]}" == PATH=* ]]
  [ "$(kiln inspect --format='{{.Config.Cmd}}' myapp:1.0)" = "[sh /app/app.sh]" ]

  IMAGE_NAME=myapp:1.0
  [ "$(kiln inspect --format='{{.Id}}' $IMAGE_NAME | cut -c1-12)" = "$(kiln images -q myapp:1.0)" ]
  kiln inspect --format='{{.Size}}' $IMAGE_NAME | numfmt --to=iec
  [ "$(kiln inspect --format='{{.Config.WorkingDir}}' $IMAGE_NAME)" = /app ]
  [ "$(kiln inspect --format='{{.Config.User}}' $IMAGE_NAME)" = nobody ]  # examples/ lint clean: not root
  # println's newline and then the one podman adds to every template: one more line than layers
  [ "$(kiln inspect --format='{{range .RootFS.Layers}}{{println .}}{{end}}' $IMAGE_NAME | wc -l)" -eq 4 ]
  [ "$(kiln inspect --format='{{len .RootFS.Layers}}' $IMAGE_NAME)" -eq 3 ]  # busybox, RUN, COPY
}

@test "tutorial 8: the cache clean-up commands" {
  kiln build -q -t myapp:1.0 . >/dev/null
  run -0 kiln system df
  run -0 bash -c "echo y | kiln system prune"
  run -0 kiln image prune -a -f
  run -0 bash -c "echo y | kiln system reset"
  run -0 kiln images -q
  [ -z "$output" ]
}
