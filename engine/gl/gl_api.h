#pragma once
// The only place the engine includes GL headers. The API used is the OpenGL ES 3.0
// subset that WebGL2 offers, so the same code and shaders run in browsers and on desktops.
#ifdef __EMSCRIPTEN__
#include <GLES3/gl3.h>
// WebGL2's getBufferSubData, exposed by Emscripten's GL library (ES 3.0 maps buffers instead).
extern "C" void glGetBufferSubData(GLenum target, GLintptr offset, GLsizeiptr size, void* data);
#else
#include <glad/gles2.h>
#endif
