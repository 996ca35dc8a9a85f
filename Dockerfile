# The stack image, slipway/stack:bookworm: the base of every build and every
# dyno. No base image can be pulled here, so scripts/lib/common.sh makes the
# root file system with `debootstrap --variant=minbase bookworm` and builds
# this file with that tarball as the only thing in the context:
#
#   docker build --network host --build-arg STACK_VERSION=N -t slipway/stack:bookworm <dir with rootfs.tar>
FROM scratch
ADD rootfs.tar /
ARG STACK_VERSION
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    LANG=C.UTF-8
# Builds put the app here and dynos run from here; /slipway holds the launcher.
WORKDIR /app
LABEL io.slipway.stack=bookworm \
      io.slipway.stack-version=${STACK_VERSION}
CMD ["bash"]
