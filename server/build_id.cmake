# Writes the build id (ID when given, else git describe, else the version
# outside a checkout) into a C file, rewriting it only when it changes. The
# id is part of every ETag, so that a response changed by new code is never
# served as "not modified".
# Usage: cmake -DSRC=dir -DOUT=file.c -DVERSION=x.y.z [-DID=id] -P build_id.cmake
if(NOT "${ID}" STREQUAL "")
  set(id "${ID}") # checked where it is set, in CMakeLists.txt
else()
  execute_process(COMMAND git -C "${SRC}" describe --always --dirty --abbrev=12
                  OUTPUT_VARIABLE id OUTPUT_STRIP_TRAILING_WHITESPACE
                  RESULT_VARIABLE rc ERROR_QUIET)
  if(NOT rc EQUAL 0 OR id STREQUAL "")
    set(id "${VERSION}")
  endif()
endif()
set(text "const char server_build_id[] = \"${VERSION}+${id}\";\n")
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
endif()
if(NOT old STREQUAL text)
  file(WRITE "${OUT}" "${text}")
endif()
