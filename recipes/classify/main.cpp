// The `classify` program. Declared here rather than through classify.hpp so that this TU skips LibTorch's headers.
namespace rig::recipes {
int classify_main(int argc, char** argv);
}

int main(int argc, char** argv) { return rig::recipes::classify_main(argc, argv); }
