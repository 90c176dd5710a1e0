# The Windows exe pair (issue 14), included by app/CMakeLists.txt after the maildoctor target:
#   maildoctor.exe  the GUI subsystem: double-clicked, no console window opens; given a command in
#                   a console, it writes to that console (platform::prepare_console).
#   maildoctor.com  the same program on the console subsystem: typed as `maildoctor` in cmd or
#                   PowerShell it is found first (PATHEXT lists .COM before .EXE), so the shell waits
#                   for it, pipes work and %ERRORLEVEL% / $LASTEXITCODE carry its exit code.
# Both carry a manifest with the UTF-8 active code page.
set(MAILDOCTOR_WIN_MANIFEST ${PROJECT_SOURCE_DIR}/cmake/windows/maildoctor.manifest)
set(MAILDOCTOR_WIN_RC ${CMAKE_CURRENT_BINARY_DIR}/maildoctor.rc)
configure_file(${PROJECT_SOURCE_DIR}/cmake/windows/maildoctor.rc.in ${MAILDOCTOR_WIN_RC} @ONLY)
set_source_files_properties(${MAILDOCTOR_WIN_RC} PROPERTIES OBJECT_DEPENDS ${MAILDOCTOR_WIN_MANIFEST})
target_sources(maildoctor PRIVATE ${MAILDOCTOR_WIN_RC})
if(MAILDOCTOR_BUILD_GUI)
  set_target_properties(maildoctor PROPERTIES WIN32_EXECUTABLE ON)
endif()

get_target_property(MAILDOCTOR_APP_SOURCES maildoctor SOURCES)
get_target_property(MAILDOCTOR_APP_LIBS maildoctor LINK_LIBRARIES)
get_target_property(MAILDOCTOR_APP_DEFS maildoctor COMPILE_DEFINITIONS)
add_executable(maildoctor_console ${MAILDOCTOR_APP_SOURCES})
target_link_libraries(maildoctor_console PRIVATE ${MAILDOCTOR_APP_LIBS})
target_compile_definitions(maildoctor_console PRIVATE ${MAILDOCTOR_APP_DEFS})
set_target_properties(maildoctor_console PROPERTIES OUTPUT_NAME maildoctor SUFFIX .com)
maildoctor_warnings(maildoctor_console)
