# Installation and the Debian package.
#
#   cmake --install build [--prefix DIR]      the binary in bin/ and the docs (component
#                                             voxsecrets)
#   cd build && cpack -G DEB                  voxsecrets_<version>_<arch>.deb: /usr/bin/voxsecrets
#                                             (stripped), the systemd unit, /etc/voxsecrets/
#                                             voxsecrets.toml (a conffile), maintainer scripts
#                                             (packaging/debian/), Depends from dpkg-shlibdeps.
#
# The unit and the config file have absolute destinations (/lib/systemd/system, /etc): they are
# in the component `system`, left out of a plain `cmake --install` (which must work without root
# and with any prefix) and put into the package only.

include(GNUInstallDirs)

install(TARGETS voxsecrets RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT voxsecrets)
install(FILES README.md docs/OPERATIONS.md docs/DEPLOYMENT.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT voxsecrets)
install(FILES packaging/voxsecrets.service DESTINATION /lib/systemd/system
        COMPONENT system EXCLUDE_FROM_ALL)
install(FILES packaging/voxsecrets.toml DESTINATION /etc/voxsecrets
        COMPONENT system EXCLUDE_FROM_ALL)

set(VOXSECRETS_PACKAGE_MAINTAINER "voxsecrets maintainers <voxsecrets@localhost>"
    CACHE STRING "Maintainer field of the Debian package")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME voxsecrets)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR voxsecrets)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "self-hosted secret store speaking Voximplant's Management API")
string(CONCAT CPACK_DEBIAN_PACKAGE_DESCRIPTION
       "self-hosted secret store speaking Voximplant's Management API\n"
       "Keeps API keys, passwords and tokens per application, encrypted at rest (AES-256-GCM\n"
       "under per-application data keys wrapped by a master key), with a hash-chained audit\n"
       "trail, and serves them over HTTPS to the official Voximplant client libraries. SQLite\n"
       "for one node, PostgreSQL for many. Includes a hardened systemd unit, not enabled on\n"
       "install.")
set(CPACK_PACKAGE_CONTACT "${VOXSECRETS_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${VOXSECRETS_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# One package holding both components.
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_GROUPING ALL_COMPONENTS_IN_ONE)
set(CPACK_COMPONENTS_ALL voxsecrets system)
# Debug symbols are dropped from the packaged binary (the build tree keeps them).
set(CPACK_STRIP_FILES ON)
# Runtime Depends computed by dpkg-shlibdeps from the binary (libssl3, libsqlite3-0, libpq5,
# libboost-*, libprometheus-cpp-core, libtomlplusplus3, libjemalloc2 unless built with
# -DVOXSECRETS_ALLOCATOR=system, ...), plus what the scripts use.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/packaging/debian/postinst
    ${PROJECT_SOURCE_DIR}/packaging/debian/prerm
    ${PROJECT_SOURCE_DIR}/packaging/debian/postrm
    ${PROJECT_SOURCE_DIR}/packaging/debian/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
include(CPack)
