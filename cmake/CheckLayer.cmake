# Run by the build (cmake -P) for each layer of CMakeLists.txt (hookgate_layer): fails when a
# file of the layer includes a project header of a folder the layer does not declare in USES.
# Arguments: LAYER (name), DIR (its folder), ALLOWED (;-separated folders it may include),
# ROOT (the source folder), STAMP (written when every include is allowed).
cmake_policy(SET CMP0057 NEW)  # IN_LIST in script mode
file(GLOB files "${ROOT}/${DIR}/*.h" "${ROOT}/${DIR}/*.cpp")
set(violations "")
foreach(file ${files})
  file(STRINGS "${file}" lines REGEX "^[ \t]*#[ \t]*include[ \t]*\"")
  foreach(line ${lines})
    string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*\"([^\"]+)\".*$" "\\1" header "${line}")
    get_filename_component(folder "${header}" DIRECTORY)
    if(NOT folder STREQUAL DIR AND NOT folder IN_LIST ALLOWED)
      file(RELATIVE_PATH name "${ROOT}" "${file}")
      string(APPEND violations "\n  ${name} includes \"${header}\"")
    endif()
  endforeach()
endforeach()
if(violations)
  string(REPLACE ";" ", " list "${ALLOWED}")
  if(list STREQUAL "")
    set(list "nothing else")
  endif()
  message(FATAL_ERROR "layer ${LAYER} (${DIR}/) may include only its own headers and those of: ${list}."
    "${violations}\nThat include breaks the direction of the layers (docs/architecture.md). If the "
    "direction is right, declare the use in CMakeLists.txt (hookgate_layer(${LAYER} ... USES ...)).")
endif()
file(WRITE "${STAMP}" "ok\n")
