/*
 * version.h — copyscope's version, spelled once: env.txt and the agent's
 * HELLO (harness/agentwire.h) say it, so that two hosts can be told apart
 * when their builds differ.
 */
#ifndef COPYSCOPE_VERSION_H
#define COPYSCOPE_VERSION_H

#define COPYSCOPE_VERSION "0.9.0"

#endif
